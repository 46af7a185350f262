// The phases of an assessment, named once: findings, evidence and the assessment record refer to them.
export type PhaseName = 'baseline' | 'peak' | 'stress' | 'spike' | 'sustained' | 'recovery';
