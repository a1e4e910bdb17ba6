// Words the pairing screen shares with the page the hub sends: the hub paints them before the app
// has loaded, and the app renders the same, so the first frame already is the pairing screen.
export const PAIR_TITLE = (hubName: string) => `Pair with ${hubName}`;
export const PAIR_INTRO =
  'Enter the pairing code the hub shows (when it starts, or on an already paired phone under Hub).';
