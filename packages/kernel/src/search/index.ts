/** Search across every entity a member may read (issue 6, item 6). */
export {
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_QUERY,
  type SearchHit,
  type SearchQuery,
  searchRecords,
} from './search.ts'
