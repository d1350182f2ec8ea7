export * from './types';
export { matchOffer, usableRoles, DEFAULT_MAX_INSTANCES_PER_OFFER } from './match-offer';
export { prepareConstraints, prepareConstraint, fullMatchRegex } from './constraints';
export type { ConstraintCheck } from './constraints';
export { fieldValue, attributeString, roundScalar, toMilli } from './attributes';
export { requestedHostPorts } from './ports';
