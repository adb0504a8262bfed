// The 13 ANIMA dimension names (research.md, "ANIMA"): the axes the value
// data is meant to cover, spelled exactly as the benchmark tags them.
export const ANIMA_DIMENSIONS = [
  "Moral Consideration",
  "Harm Minimization",
  "Sentience Acknowledgement",
  "Prejudice Avoidance",
  "Scope Sensitivity",
  "Evidence-Based Capacity Attribution",
  "Cautious Impact Consideration",
  "Actionability",
  "Contextual Welfare Salience",
  "Epistemic Humility",
  "Trade-off Transparency",
  "Novel Entity Precaution",
  "Control Questions",
] as const;

export type AnimaDimension = (typeof ANIMA_DIMENSIONS)[number];
