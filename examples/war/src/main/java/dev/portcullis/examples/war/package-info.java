/**
 * A web application archive for a servlet container such as Tomcat: an application servlet behind
 * {@code PortcullisFilter}, configured in {@code web.xml}.
 */
@NullMarked
package dev.portcullis.examples.war;

import org.jspecify.annotations.NullMarked;
