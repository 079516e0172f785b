import type { ScanResult } from '../types.js';

export interface ReporterOptions {
  /** Folder that text output shows paths relative to. */
  cwd: string;
  color: boolean;
  /** Findings only, no summary or notices. */
  quiet: boolean;
  /** Also the config file, disabled rules and skipped files. */
  verbose: boolean;
  /** Write suppressed findings to SARIF, marked as suppressed. */
  includeSuppressed: boolean;
  /** SARIF `automationDetails.id` category, so several scans of one repository upload side by side. */
  category?: string;
  /** Absolute path of the config file in use, if any. */
  configFile?: string;
  /** Ids of the rules that did not run, for `verbose`. */
  disabledRules: string[];
}

export type Reporter = (result: ScanResult, options: ReporterOptions) => string;
