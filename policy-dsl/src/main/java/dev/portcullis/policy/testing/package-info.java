/**
 * Checking a policy against expectations: fluent assertions for any test framework
 * ({@link dev.portcullis.policy.testing.PolicyAssert}), test cases and JSON case bundles. Depends on
 * {@code dev.portcullis.policy} and Jackson, nothing else of Portcullis.
 */
@NullMarked
package dev.portcullis.policy.testing;

import org.jspecify.annotations.NullMarked;
