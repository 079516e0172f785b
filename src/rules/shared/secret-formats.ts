/**
 * Credential formats that identify a secret by its shape alone, wherever it
 * appears. Each pattern matches the whole token, and `body` picks out the
 * random part, which must look random: a token of one repeated character or
 * of a counting sequence is a placeholder, not a key.
 */

export interface SecretFormat {
  /** The kind of credential, for messages: "GitHub token", "AWS access key ID". */
  label: string;
  pattern: RegExp;
  /** The random part of a match, for the randomness check; the whole match when absent. */
  body?: (match: RegExpExecArray) => string;
  /** Extra check of a match, such as decoding a JSON Web Token. */
  accept?: (token: string) => boolean;
}

const SECRET_FORMATS: SecretFormat[] = [
  {
    label: 'private key',
    // The whole block, so that messages give the length of the key rather than of its first line.
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----)?/,
    accept: () => true,
  },
  {
    label: 'AWS access key ID',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)([A-Z0-9]{16})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'GitHub token',
    pattern: /\bgh[pousr]_([A-Za-z0-9]{36,251})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'GitHub token',
    pattern: /\bgithub_pat_([A-Za-z0-9_]{60,})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'GitLab token',
    pattern: /\bgl(?:pat|ptt|rt|dt|oas)-([A-Za-z0-9_-]{20,})/,
    body: (match) => match[1]!,
  },
  {
    // Stripe's secret and restricted keys and the `*_live_*` keys of other
    // payment providers; publishable keys (`pk_live_`) are public by design.
    label: 'live payment API key',
    pattern: /\b(?!pk_)[a-z]{2,8}_live_([A-Za-z0-9]{16,})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Stripe webhook secret',
    pattern: /\bwhsec_([A-Za-z0-9]{24,})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Slack token',
    pattern: /\bxox[abposr]-(\d{6,}-[A-Za-z0-9-]{10,})/,
    body: (match) => match[1]!,
  },
  {
    label: 'Slack webhook URL',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/([A-Za-z0-9]{20,})/,
    body: (match) => match[1]!,
  },
  {
    label: 'Discord bot token',
    pattern: /\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.([A-Za-z0-9_-]{27,40})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Discord webhook URL',
    pattern: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{15,}\/([A-Za-z0-9_-]{50,})/,
    body: (match) => match[1]!,
  },
  {
    label: 'Google API key',
    pattern: /\bAIza([0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/,
    body: (match) => match[1]!,
  },
  {
    label: 'Google OAuth client secret',
    pattern: /\bGOCSPX-([A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])/,
    body: (match) => match[1]!,
  },
  {
    label: 'Twilio API key',
    pattern: /\bSK([0-9a-f]{32})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'SendGrid API key',
    pattern: /\bSG\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/,
    body: (match) => match[2]!,
  },
  {
    label: 'npm token',
    pattern: /\bnpm_([A-Za-z0-9]{36})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'OpenAI API key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?([A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/,
    body: (match) => match[1]!,
  },
  {
    label: 'Anthropic API key',
    pattern: /\bsk-ant-(?:api|admin)\d{2}-([A-Za-z0-9_-]{80,})(?![A-Za-z0-9_-])/,
    body: (match) => match[1]!,
  },
  {
    label: 'Mailgun API key',
    pattern: /\bkey-([0-9a-f]{32})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Shopify access token',
    pattern: /\bshp(?:at|ss|ca|pa)_([a-fA-F0-9]{32})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Hugging Face token',
    pattern: /\bhf_([A-Za-z]{34})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'DigitalOcean token',
    pattern: /\bdo[opr]_v1_([a-f0-9]{64})\b/,
    body: (match) => match[1]!,
  },
  {
    label: 'Telegram bot token',
    pattern: /\b\d{8,10}:(AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/,
    body: (match) => match[1]!,
  },
  {
    label: 'Azure storage account key',
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/,
    body: (match) => match[1]!,
  },
  {
    label: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.([A-Za-z0-9_-]{32,})(?![A-Za-z0-9_-])/,
    body: (match) => match[1]!,
    accept: isRealJsonWebToken,
  },
];

/**
 * Text that every match of one of the formats above contains, one
 * alternative per format, so that one search rules out most strings.
 */
const FORMAT_HINT =
  /-----BEGIN |AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|gl(?:pat|ptt|rt|dt|oas)-|_live_|whsec_|xox[abposr]-|hooks\.slack\.com|[MNO][A-Za-z0-9_-]{23,27}\.|discord|AIza|GOCSPX-|SK[0-9a-f]{32}|SG\.|npm_|T3BlbkFJ|sk-ant-|key-|shp(?:at|ss|ca|pa)_|hf_|do[opr]_v1_|:AA|AccountKey=|eyJ/;

export interface FormatMatch {
  label: string;
  /** The matched token and where it starts in the searched text. */
  token: string;
  index: number;
}

/** Finds the first known credential format in a text whose random part looks random. */
export function findSecretFormat(text: string): FormatMatch | undefined {
  if (text.length < 20 || !FORMAT_HINT.test(text)) return undefined;
  for (const format of SECRET_FORMATS) {
    const match = format.pattern.exec(text);
    if (!match) continue;
    const token = match[0];
    const accepted = format.accept ? format.accept(token) : looksRandom(format.body ? format.body(match) : token);
    if (accepted) return { label: format.label, token, index: match.index };
  }
  return undefined;
}

/** True when a private key block sits in the text; public keys and certificates are not secrets. */
export function isPublicKeyMaterial(text: string): boolean {
  return text.includes('-----BEGIN') && /-----BEGIN (?:RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text);
}

/**
 * True for a string of at least 16 characters with enough distinct
 * characters and no run such as `xxxx`, `0000` or `1234567890`, and without
 * the words that mark documentation samples.
 */
export function looksRandom(body: string): boolean {
  if (body.length < 16) return false;
  if (/example|sample|dummy|fake|placeholder|x{6,}|X{6,}/i.test(body)) return false;
  if (/(.)\1{5,}/.test(body)) return false;
  if (/0123456789|123456789|abcdefghij/i.test(body)) return false;
  return shannonEntropy(body) >= 3.2;
}

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}

/**
 * Accepts a JSON Web Token with a random-looking signature, unless its
 * payload marks it as public or as a documentation sample: Supabase's `anon`
 * role key ships to browsers, and the jwt.io sample token has the subject
 * 1234567890.
 */
function isRealJsonWebToken(token: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature || !looksRandom(signature)) return false;
  const claims = decodeJsonPart(payload);
  const headerFields = decodeJsonPart(header);
  if (!claims || !headerFields || typeof headerFields.alg !== 'string') return false;
  if (claims.role === 'anon') return false;
  if (claims.sub === '1234567890') return false;
  return true;
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
