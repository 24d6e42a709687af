// Elo ratings: every player starts at 1200; K = 32; a draw scores ½ each.
export const INITIAL_RATING = 1200;
export const K_FACTOR = 32;

/** The chance the first player wins, by the Elo formula. */
export function expectedScore(rating: number, opponent: number): number {
  return 1 / (1 + 10 ** ((opponent - rating) / 400));
}

/** New ratings after one game; `score` is the first player's: 1 win, 0.5 draw, 0 loss. */
export function updateRatings(a: number, b: number, score: 0 | 0.5 | 1): [number, number] {
  const deltaA = Math.round(K_FACTOR * (score - expectedScore(a, b)));
  // Zero-sum: the second player moves by exactly the opposite amount.
  return [a + deltaA, b - deltaA];
}
