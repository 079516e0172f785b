import { classifyName, splitWords, type SensitiveKind } from '../../analysis/sensitive.js';

/** The rule that reports an item: credentials and tokens are secrets, health, identity and payment data are personal data. */
export type LoggedRule = 'secret' | 'personal';

/** Words in a name that say the value is masked: `ssnLast4`, `maskedCard`, `tokenHash`. */
const MASKED_NAME = /(^| )(last ?(4|four)|masked|redacted|hashed|hash|digest|fingerprint|encrypted|obfuscated)( |$)/;

/** Names of a header value that carries a credential: `authHeader`, `authorizationHeader`, `bearerHeader`. */
const CREDENTIAL_HEADER = /(^| )(auth|authorization|bearer|cookie|session|api key) header$/;

/**
 * Classifies a field, variable or key name the way log rules need it: masked
 * names such as `ssnLast4` are not sensitive, and a variable named for the
 * Authorization header contains its value. Constants such as
 * `AUTH_HEADER = 'Authorization'` never get here, because constant values are
 * safe to log.
 */
export function classifyLoggedName(name: string, extra: readonly string[]): SensitiveKind | undefined {
  let verdicts = verdictsByExtra.get(extra);
  if (!verdicts) {
    verdicts = new Map();
    verdictsByExtra.set(extra, verdicts);
  }
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = classifyUncached(name, extra) ?? null;
    if (verdicts.size > VERDICT_LIMIT) verdicts.clear();
    verdicts.set(name, verdict);
  }
  return verdict ?? undefined;
}

/** The log rules ask about every field of every type and every logged name, many of them more than once. */
const VERDICT_LIMIT = 50_000;
const verdictsByExtra = new WeakMap<readonly string[], Map<string, SensitiveKind | null>>();

function classifyUncached(name: string, extra: readonly string[]): SensitiveKind | undefined {
  const phrase = splitWords(name).join(' ');
  if (MASKED_NAME.test(phrase)) return undefined;
  if (CREDENTIAL_HEADER.test(phrase)) return 'token';
  return classifyName(name, extra);
}

/**
 * Names of a whole patient or health record: `patient`, `patientRecord`,
 * `medicalRecord`, `healthRecord`, `clinicalNotes`. Not `patientId` or
 * `patientCount`, which name one field or a number.
 */
const PATIENT_RECORD = /^((current|existing|new|updated|saved|found|matched|target) )?(patient|patients|((patient|medical|health|clinical|ehr|emr) (record|records|profile|profiles|details|data|info|chart|charts|history|summary)))$/;

export function isPatientRecordName(name: string): boolean {
  return PATIENT_RECORD.test(splitWords(name).join(' '));
}

export function getRuleOfKind(kind: SensitiveKind): LoggedRule {
  return kind === 'credential' || kind === 'token' ? 'secret' : 'personal';
}
