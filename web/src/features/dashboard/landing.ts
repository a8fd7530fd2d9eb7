// Where `/` takes a signed-in caller (the router's home route): staff to the dashboard, grid
// workers to their grid, residents to the activities, everyone else to the regions.
import { useAuth } from '../../stores/auth'
import { landing } from './stats'

export async function landingRoute(): Promise<string> {
  const auth = useAuth()
  if (!auth.me) await auth.loadMe().catch(() => undefined)
  return landing(auth.me?.grants)
}
