// One place that scrubs secrets from any text qjob prints: errors, logs, debug output.
// Pattern rules catch the shapes Azure and Heroku credentials take; registered values catch
// secrets whose shape is not recognisable on its own (a legacy Heroku API key is a plain UUID).

const MASK = '***'

const PATTERNS: Array<[RegExp, string]> = [
  // Connection strings: SharedAccessKey=<base64>; (stops at ; quote or whitespace)
  [/(SharedAccessKey\s*=\s*)[^;"'\s]+/gi, `$1${MASK}`],
  // A whole SAS token, as sent in headers or CBS put-token bodies.
  [/(SharedAccessSignature\s+)[^"'\s,;]+/gi, `$1${MASK}`],
  // A connection string that carries a SAS token instead of a key.
  [/(SharedAccessSignature\s*=\s*)[^"'\s;]+/gi, `$1${MASK}`],
  // The signature parameter of a SAS token seen on its own (e.g. URL-encoded).
  [/([?&]sig=)[^&"'\s]+/gi, `$1${MASK}`],
  // Authorization: Bearer <token> (Entra ID, ARM, Heroku).
  [/(\bBearer\s+)[\w.~+/=-]+/gi, `$1${MASK}`],
  // Heroku API tokens in the current format.
  [/\bHRKU-[\w-]+/g, `HRKU-${MASK}`],
  // Heroku tokens spelled out in an environment assignment or netrc line.
  [/(HEROKU_API_KEY\s*[=:]\s*)["']?[^\s"']+/g, `$1${MASK}`],
  [/(\bpassword\s+)\S+/gi, `$1${MASK}`],
]

const registered = new Set<string>()

/** Remembers a secret value so that redact() removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) registered.add(value)
}

export function redact(text: string): string {
  let out = text
  for (const value of registered) out = out.split(value).join(MASK)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
