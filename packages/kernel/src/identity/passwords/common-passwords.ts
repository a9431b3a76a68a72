import { readFileSync } from 'node:fs'

let common: Set<string> | undefined

/** Read on first use rather than at import, so code that never checks a password never pays for it. */
function commonPasswords(): Set<string> {
  // common-passwords.txt: the 10,000 highest-ranked entries of the `passwords` dictionary in @zxcvbn-ts/language-common 4.1.3, in rank order, all lower case.
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  )
  return common
}

/** Case-insensitive: "PassWord" is guessed as early as "password". */
export function isCommonPassword(plain: string): boolean {
  return commonPasswords().has(plain.toLowerCase())
}
