/**
 * Not implemented yet: this module is an empty placeholder in the reactor so that the dependency
 * direction is fixed from the start. Its contents arrive with issue 7 (Netty handler).
 */
package dev.portcullis.netty;
