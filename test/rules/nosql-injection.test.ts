import { describeRuleFixtures } from '../helpers/fixtures.js';

describeRuleFixtures('nosql-injection');
