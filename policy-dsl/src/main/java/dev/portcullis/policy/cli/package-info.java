/**
 * The {@code portcullis-policy} command line ({@link dev.portcullis.policy.cli.PolicyCli}): test, explain, lint,
 * who-can, diff, fmt and convert. Depends on {@code dev.portcullis.policy}, {@code dev.portcullis.policy.testing}
 * and picocli, an optional dependency that library users do not inherit.
 */
@NullMarked
package dev.portcullis.policy.cli;

import org.jspecify.annotations.NullMarked;
