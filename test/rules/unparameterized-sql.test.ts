import { describeRuleFixtures } from '../helpers/fixtures.js';

describeRuleFixtures('unparameterized-sql');
