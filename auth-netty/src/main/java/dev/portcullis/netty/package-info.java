/**
 * The Netty front end: {@link dev.portcullis.netty.PortcullisHttpHandler} translates each request for the
 * pipeline and hands the application what it allowed. Its package-private parts each keep one concern: request
 * sequencing and auto-read, one exchange's state, bounded body collection, response writing, client deadlines.
 */
@NullMarked
package dev.portcullis.netty;

import org.jspecify.annotations.NullMarked;
