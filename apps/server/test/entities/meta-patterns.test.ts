import { patternProblem } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'

/** The guard that keeps a tenant's custom field pattern from stalling the shared server (ReDoS). */

describe('custom field patterns', () => {
  it.each([
    '^[A-Z]{2}-\\d{4}$',
    '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}',
    '(ab)+',
    '\\d{3}(-\\d{4})?',
    '(?:INV|CRN)/\\d{4}/\\d{5}',
    '[(+)*]+x',
    '\\(\\d+\\)',
    '(?<year>\\d{4})-\\d{2}',
  ])('accepts %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined()
  })

  it.each([
    ['(a+)+$', 'repeated group'],
    ['(a*)*', 'repeated group'],
    ['(a|aa)*b', 'repeated group'],
    ['((ab)+c)+', 'repeated group'],
    ['([a-z]+\\s?){2,}', 'repeated group'],
    ['(?:x\\d{2,})+', 'repeated group'],
    ['(a)\\1', 'backreferences'],
    ['(?<n>a)\\k<n>', 'backreferences'],
    ['(?=a)a', 'lookahead'],
    ['(?<!a)b', 'lookahead'],
    ['a*a*a*a*b', 'at most 3'],
    ['\\d{1,50}\\d{1,50}\\d{1,50}\\d{1,50}', 'at most 3'],
  ])('refuses %s', (pattern, reason) => {
    expect(patternProblem(pattern)).toContain(reason)
  })
})
