/**
 * The example registry: a small OCI registry (storage, API, metrics) behind Portcullis, runnable on Jetty or
 * Netty ({@link dev.portcullis.examples.registry.RegistryCli}). An example of embedding, not a product.
 */
@NullMarked
package dev.portcullis.examples.registry;

import org.jspecify.annotations.NullMarked;
