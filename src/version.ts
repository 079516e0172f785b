import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const manifest = require('../package.json') as { version: string; homepage?: string };

export const TOOL_NAME = 'keney-audit';
export const TOOL_VERSION = manifest.version;
/** The project's home page, from package.json; SARIF links are written only when it is set. */
export const TOOL_HOMEPAGE = manifest.homepage?.replace(/#.*$/, '');
