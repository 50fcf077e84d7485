/** The pure person rules the workflow uses, in one place (domain/person/). */
export { applyPersonChange, isPersonLevelEvent, withPersonFacts } from '../../domain/person/person-facts.js';
export { decideContact, recordContact, type LedgerContact, type PersonLedger } from '../../domain/person/contact-decision.js';
