/**
 * Checking a policy against expectations: fluent assertions for any test framework
 * ({@link dev.portcullis.policy.testing.PolicyAssert}), test cases and JSON case bundles, and a policy file's tests as
 * JUnit 5 dynamic tests ({@link dev.portcullis.policy.testing.PolicyTests}). Depends on {@code dev.portcullis.policy} and
 * Jackson, nothing else of Portcullis; {@code PolicyTests} alone also needs JUnit Jupiter's API, an optional dependency.
 */
@NullMarked
package dev.portcullis.policy.testing;

import org.jspecify.annotations.NullMarked;
