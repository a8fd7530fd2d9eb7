// The out-of-order guard, written once: every load takes a ticket, and only the newest ticket's
// answer may land on the screen (a slow answer to an old filter never overwrites a newer one).
export interface Latest {
  /** Starts a load; the returned function says whether it is still the newest. */
  begin(): () => boolean
}

export function latestOnly(): Latest {
  let newest = 0
  return {
    begin() {
      const mine = ++newest
      return () => mine === newest
    },
  }
}
