import { findSecretFormat, looksRandom } from '../rules/shared/secret-formats.js';
import type { Finding } from '../types.js';

/** A quoted string in a line of code, with its quote and its body. */
const QUOTED = /(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
/** Runs of characters that can make up a token in a message: `keys.sk_live_…` gives `sk_live_…`. */
const TOKEN = /[A-Za-z0-9_\-+/=~.]{16,}/g;

/**
 * Shortens every string in a line of code that looks like a credential to
 * its first four characters. Snippets of other rules' findings can contain a
 * secret that no secret rule reported on that line. Examples are a secret
 * declared in one module and used in another, and a file whose only line
 * breaks are carriage returns, where one "line" is the whole file.
 */
export function maskSecretsInCode(line: string): string {
  return line.replace(QUOTED, (whole: string, quote: string, body: string) => (isSecretLike(body) ? `${quote}${body.slice(0, 4)}…${quote}` : whole));
}

/**
 * Shortens tokens of a message that look like credentials, such as a key
 * used as a property name (`keys['sk_live_…'] = …`), which names the holder
 * of another secret.
 */
export function maskSecretsInMessage(message: string): string {
  return message.replace(TOKEN, (token) => (isSecretToken(token) ? `${token.slice(0, 4)}…` : token));
}

/** Applies both masks to every message and snippet of the findings. */
export function maskSecretsInFindings(findings: Finding[]): void {
  for (const finding of findings) {
    finding.message = maskSecretsInMessage(finding.message);
    if (finding.snippet !== undefined) finding.snippet = maskSecretsInCode(finding.snippet);
    for (const place of [...finding.related, ...finding.flow]) place.message = maskSecretsInMessage(place.message);
  }
}

function isSecretLike(body: string): boolean {
  return body.includes('PRIVATE KEY') || findSecretFormat(body) !== undefined || (!/\s/.test(body) && looksRandom(body));
}

/** Identifiers such as `MEDICATION_RESOURCE_CODE` stay: a token must mix upper case, lower case and digits to count as random. */
function isSecretToken(token: string): boolean {
  if (findSecretFormat(token) !== undefined) return true;
  return /\d/.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token) && looksRandom(token);
}
