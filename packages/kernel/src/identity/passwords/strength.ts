import { type Score, ZxcvbnFactory } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common'
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en'
import { emailLocalPart } from './email-local-part.ts'
import { firstCodePoints } from './normalize.ts'

/** What the client shows next to the password field; `warning` is null when there is nothing to warn of. */
export interface PasswordStrength {
  score: Score
  warning: string | null
  suggestions: string[]
}

/** zxcvbn's cost grows quickly with length; the policy refuses anything longer anyway. */
const EVALUATED_CODE_POINTS = 128
/**
 * zxcvbn tries every combination of up to this many l33t substitutions. Its default (100) lets 128
 * symbol-heavy characters cost about a second of CPU per check, a cheap denial of service on sign-up;
 * 10 cuts that to about a tenth while scoring real l33t passwords ("P@ssw0rd") the same.
 */
const L33T_MAX_SUBSTITUTIONS = 10

let zxcvbn: ZxcvbnFactory | undefined

/** Built on first use: ranking the dictionaries takes a noticeable moment and some memory. */
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    translations,
    graphs: adjacencyGraphs,
    dictionary: { ...commonDictionary, ...englishDictionary },
    l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
  })
  return zxcvbn
}

/**
 * Words the user is likely to reuse: the whole email, its local part split on the usual separators,
 * and the name word by word, since zxcvbn matches each user input only as a whole word.
 */
function userInputs(email: string, name: string | undefined): string[] {
  const localPart = emailLocalPart(email)
  const words = [email, localPart, ...localPart.split(/[._+-]+/)]
  if (name) words.push(name, ...name.split(/\s+/))
  return [...new Set(words.filter((word) => word.length > 0))]
}

/** zxcvbn's 0–4 score (0: guessable in under 10^3 tries, 4: beyond 10^10) with its English feedback. */
export function estimateStrength(plain: string, context: { email: string; name?: string }): PasswordStrength {
  const result = estimator().check(
    firstCodePoints(plain, EVALUATED_CODE_POINTS),
    userInputs(context.email, context.name),
  )
  return {
    score: result.score,
    warning: result.feedback.warning,
    suggestions: result.feedback.suggestions,
  }
}
