// The phases of an assessment, named once: findings, evidence and the assessment record refer to them.
// 'capacity' runs only under assess --profile: the measured window at the highest rate the stress
// phase sustained (ASSESSMENT-RULES.md §6), a diagnosis of the limit rather than a test of the objective.
export type PhaseName = 'baseline' | 'peak' | 'stress' | 'spike' | 'sustained' | 'recovery' | 'capacity';
