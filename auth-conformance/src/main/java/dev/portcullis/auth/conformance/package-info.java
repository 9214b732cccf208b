/**
 * The HTTP conformance suite every adapter passes
 * ({@link dev.portcullis.auth.conformance.HttpConformanceSuite}), with its framework-neutral application
 * ({@link dev.portcullis.auth.conformance.EchoApplication}) and raw HTTP client. For adapters' tests; depends on
 * JUnit, AssertJ and a mock OIDC provider.
 */
@NullMarked
package dev.portcullis.auth.conformance;

import org.jspecify.annotations.NullMarked;
