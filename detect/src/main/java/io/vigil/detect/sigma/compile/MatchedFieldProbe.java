package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.match.SigmaFields;

/**
 * One field item of a search, for {@link CompiledRule#matchedFields}: it counts when the item
 * matches on its own and the map it belongs to matched too (an item of a map that failed as a whole
 * did not make the rule match).
 */
record MatchedFieldProbe(String field, FieldMatcher search, FieldMatcher item) {

  boolean matches(SigmaFields event) {
    return item.matches(event) && search.matches(event);
  }
}
