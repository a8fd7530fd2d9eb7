// The one typed API client: paths and bodies come from schema.d.ts, generated from openapi.yaml.
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import { makeAuthFetch } from './authFetch'

export type Schemas = components['schemas']
export type Problem = Schemas['Problem']

export const api = createClient<paths>({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
  fetch: makeAuthFetch(),
})
