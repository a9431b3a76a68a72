/** The part before the last `@` (a quoted local part may itself contain one); the whole text if none. */
export function emailLocalPart(email: string): string {
  const at = email.lastIndexOf('@')
  return at === -1 ? email : email.slice(0, at)
}
