/**
 * The Jakarta Servlet front end: {@link dev.portcullis.servlet.PortcullisFilter}, configured from a file or a
 * built pipeline, for Jetty, Tomcat or any Servlet 6 container.
 */
@NullMarked
package dev.portcullis.servlet;

import org.jspecify.annotations.NullMarked;
