// The finding-text formatters live in analysis/format.ts (analysis/database-figures.ts needs them too).
export * from '../../analysis/format.ts';
