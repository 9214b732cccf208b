/**
 * Not implemented yet: this module is an empty placeholder in the reactor so that the dependency
 * direction is fixed from the start. Its contents arrive with issue 4 and 5 (API keys, request pipeline).
 */
package dev.portcullis.auth;
