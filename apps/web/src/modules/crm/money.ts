/** Money as the API sends it: a decimal string and an ISO 4217 currency. */
export interface Money {
  amount: string
  currency: string
}

/**
 * A money amount for people, in the app's language. Intl formats the decimal string exactly (no
 * float on the way); an amount or currency Intl refuses is shown as sent.
 */
export function formatMoney(money: Money | null | undefined, locale: string): string {
  if (!money) return ''
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(
      money.amount as `${number}`,
    )
  } catch {
    return `${money.amount} ${money.currency}`
  }
}
