/** The default REST resource of a custom entity: its name in the plural, kebab-case (`lab_result` → `lab-results`). */
export function defaultResource(name: string): string {
  return plural(name).replaceAll('_', '-')
}

/** English plural of the last word, the common rules only: a tenant can always name the resource. */
function plural(word: string): string {
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`
  return `${word}s`
}

/** A label for a field that has none: `postal_code` → `Postal code`. */
export function labelOf(name: string): string {
  const words = name.replaceAll('_', ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
