/**
 * JMH benchmarks and load harnesses (BENCHMARKS.md), through the public API only.
 */
@NullMarked
package dev.portcullis.bench;

import org.jspecify.annotations.NullMarked;
