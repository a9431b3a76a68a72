import model from 'wink-eng-lite-web-model'
import winkNLP, { type ItemEntity, type ItemSentence } from 'wink-nlp'

/** What is worth recalling before the next conversation. */
export type FactKind = 'person' | 'date' | 'personal_event' | 'preference' | 'commitment'

export interface Fact {
  kind: FactKind
  /** the person's name or the date as written; for the others, the sentence saying it */
  text: string
  /** the sentence the fact comes from */
  sentence: string
}

// lemmas (wink's lite English model) that mark a sentence as a fact of that kind
const PERSONAL = new Set([
  'birthday',
  'wedding',
  'anniversary',
  'vacation',
  'holiday',
  'baby',
  'marry',
  'married',
  'retire',
  'retirement',
  'graduation',
  'graduate',
  'pregnant',
  'marathon',
  'surgery',
  'born',
  'promotion',
  'promote',
  'daughter',
  'son',
  'wife',
  'husband',
  'kid',
])
const PREFERENCE = new Set([
  'prefer',
  'preference',
  'like',
  'love',
  'enjoy',
  'hate',
  'dislike',
  'favorite',
  'favourite',
  'allergic',
  'vegetarian',
  'vegan',
])
const COMMITMENT = new Set(['promise', 'commit', 'agree', 'guarantee'])
const FIRST_PERSON = new Set(['i', 'we'])
const CALENDAR_WORD =
  /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|q[1-4])$/i

let nlp: ReturnType<typeof winkNLP> | undefined

/** The model is loaded once per process, on first use (it takes a moment and some memory). */
function reader() {
  nlp ??= winkNLP(model)
  return nlp
}

/**
 * Facts in a free text, sentence by sentence, with wink-nlp's English model in the process (no
 * external service): people (proper-noun runs that are not dates), dates, personal events,
 * preferences and commitments (we or I will / promise / agree). Heuristic by design: it surfaces
 * what a salesperson would underline, and each fact keeps its sentence so a reader can judge.
 */
export function extractFacts(text: string): Fact[] {
  const engine = reader()
  const its = engine.its
  const facts: Fact[] = []
  const doc = engine.readDoc(text)
  const midSentence = namesWithinSentences(doc.sentences(), its)
  doc.sentences().each((s: ItemSentence) => {
    const sentence = s.out().trim()
    // wink's typings give its.lemma a signature out() does not name; the runtime accepts it
    const lemmas = s.tokens().out(its.lemma as never) as string[]
    const pos = s.tokens().out(its.pos) as string[]
    const words = s.tokens().out() as string[]
    const dates = s
      .entities()
      .filter((e: ItemEntity) => ['DATE', 'TIME', 'DURATION'].includes(e.out(its.type) as string))
      .out() as string[]
    const dateWords = new Set(dates.flatMap((d) => d.toLowerCase().split(/\s+/)))
    for (const d of dates) facts.push({ kind: 'date', text: d, sentence })
    let run: string[] = []
    const flush = () => {
      if (run.length > 0) facts.push({ kind: 'person', text: run.join(' '), sentence })
      run = []
    }
    words.forEach((word, i) => {
      const name = looksLikeName(word, pos[i]) && !dateWords.has(word.toLowerCase())
      if (name) run.push(word)
      else flush()
      // a lone capitalised first word ("Website", "Budget") is a name only if the text also
      // writes it capitalised inside a sentence, where capitals are not just grammar
      if (i === 0 && run.length === 1 && !looksLikeName(words[1] ?? '', pos[1]) && !midSentence.has(word))
        run = []
    })
    flush()
    const has = (set: Set<string>) => lemmas.some((l) => set.has(l.toLowerCase()))
    if (has(PERSONAL)) facts.push({ kind: 'personal_event', text: sentence, sentence })
    if (has(PREFERENCE)) facts.push({ kind: 'preference', text: sentence, sentence })
    const promises = lemmas.some(
      (l, i) => l === 'will' && FIRST_PERSON.has(String(lemmas[i - 1]).toLowerCase()),
    )
    if (promises || has(COMMITMENT)) facts.push({ kind: 'commitment', text: sentence, sentence })
  })
  return facts
}

/** A proper noun written as names are: a capital then lower case (not "TPS", not a month). */
function looksLikeName(word: string, pos: string | undefined): boolean {
  return pos === 'PROPN' && /^\p{Lu}\p{Ll}[\p{L}'-]*$/u.test(word) && !CALENDAR_WORD.test(word)
}

/** The name-like words the text writes after the first word of a sentence. */
function namesWithinSentences(
  sentences: ReturnType<ReturnType<ReturnType<typeof winkNLP>['readDoc']>['sentences']>,
  its: ReturnType<typeof winkNLP>['its'],
): Set<string> {
  const names = new Set<string>()
  sentences.each((s: ItemSentence) => {
    const pos = s.tokens().out(its.pos) as string[]
    const words = s.tokens().out() as string[]
    words.forEach((word, i) => {
      if (i > 0 && looksLikeName(word, pos[i])) names.add(word)
    })
  })
  return names
}
