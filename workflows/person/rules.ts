/** The pure person rules the workflow uses, in one place (domain/person/ once the `rules` branch is merged). */
export { applyPersonChange, decideContact, recordContact, withPersonFacts } from './interim-rules.js';
