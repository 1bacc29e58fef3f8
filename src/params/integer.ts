import type { ParamMatcher } from '@sveltejs/kit';

/** A positive integer as written in a URL (1–999999), e.g. a version number. */
export const match: ParamMatcher = (param) => /^[1-9][0-9]{0,5}$/.test(param);
