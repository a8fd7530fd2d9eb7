// The data layer: how a screen loads and changes things (docs/web-data.md).
export { latestOnly, type Latest } from './latest'
export { unwrap, compact, loadAllPages, readAllPages, messageOf, problemOf, ProblemError, MAX_PAGES, type Answer, type Page } from './answer'
export { readFilters, writeFilters, readPositive, type Filters, type FilterValue, type AddressSpec } from './address'
export { useQuery, useItem, type Query, type QueryOptions } from './useQuery'
export { useList, type List, type ListOptions } from './useList'
export { useMore, type MoreOptions } from './useMore'
export { useMutation, type MutationOptions, type Outcome } from './useMutation'
