export * from './types';
export * from './defaults';
export { canonicalizeId, isValidAbsoluteId, parentId, idErrors, ID_SEGMENT_PATTERN, ID_MESSAGES, RESERVED_LAST_SEGMENTS } from './path-id';
export { normalizeApp, isExtractable } from './normalize';
export { MESSAGES as APP_VALIDATION_MESSAGES } from './validate';
export { mergeAppUpdate } from './update';
export { isUpgrade, needsRestart, jsonEqual } from './compare';
export { parseLabelSelector, matchesLabelSelector } from './label-selector';
export type { LabelSelector, LabelSelectorTerm, LabelSelectorOp } from './label-selector';
