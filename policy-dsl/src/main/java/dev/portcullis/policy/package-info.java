/**
 * Access policies with zot's semantics: the rules ({@link dev.portcullis.policy.AccessPolicy} and its records), the
 * decisions that explain themselves, zot JSON and the policy language in and out, and the analyses (permissions,
 * who-can, lint, diff). Depends on nothing of Portcullis, only on Jackson; the one exception is
 * {@link dev.portcullis.policy.PolicyDocument#cases()}, whose public signature returns the testing package's
 * {@code PolicyCase}. Inside, the formats and the compiled evaluator know only the rules as written
 * ({@code PolicyRules}), and {@code AccessPolicy} is the facade built on them.
 */
@NullMarked
package dev.portcullis.policy;

import org.jspecify.annotations.NullMarked;
