/**
 * The {@code portcullis-keys} command line ({@link dev.portcullis.auth.cli.KeysCli}): API keys managed straight in
 * the key store, for operators and bootstrap scripts. Depends on the API key service and the configuration reader,
 * and on picocli.
 */
@NullMarked
package dev.portcullis.auth.cli;

import org.jspecify.annotations.NullMarked;
