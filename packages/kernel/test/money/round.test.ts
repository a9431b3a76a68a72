import { roundToMinorUnit } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'

describe('roundToMinorUnit', () => {
  it.each([
    ['100.0125', 2, '100.01'],
    ['100.005', 2, '100.01'],
    ['-100.005', 2, '-100.01'],
    ['12.5', 2, '12.50'],
    ['1234.5', 0, '1235'],
    ['0.12345', 3, '0.123'],
    ['0.1 ', 2, '0.10'],
  ])('%s to %i places is %s (half away from zero, every place printed)', (amount, unit, expected) => {
    expect(roundToMinorUnit(amount.trim(), unit)).toBe(expected)
  })
})
