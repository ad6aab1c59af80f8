// logfmt lines (`at=job id=42 status=done message="took too long"`), as Heroku's log drains and
// people read them. A value stays bare when it holds only letters, digits and `_ . : / @ + > -`;
// anything else (spaces, quotes, `=`, newlines) is written as a JSON string. Fields whose
// value is undefined or '' are left out.
export type LogfmtValue = string | number | boolean | undefined

const BARE = /^[\w.:/@+>-]+$/

function logfmtValue(value: string | number | boolean): string {
  const text = String(value)
  return BARE.test(text) ? text : JSON.stringify(text)
}

/** One logfmt line from fields in order: an object, or [key, value] pairs. */
export function logfmt(fields: Readonly<Record<string, LogfmtValue>> | ReadonlyArray<readonly [string, LogfmtValue]>): string {
  const entries = Array.isArray(fields) ? fields : Object.entries(fields)
  return entries
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${logfmtValue(value)}`)
    .join(' ')
}
