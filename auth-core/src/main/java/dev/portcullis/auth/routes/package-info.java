/**
 * What a request is: its path checked and decoded once
 * ({@link dev.portcullis.auth.routes.RequestPaths}), and the {@link dev.portcullis.auth.routes.Route} a
 * {@link dev.portcullis.auth.routes.RouteResolver} makes of it (the OCI distribution API by default, any path layout
 * with {@link dev.portcullis.auth.routes.PathRoutes}), with the application's
 * {@link dev.portcullis.auth.routes.ExistenceLookup} for create versus update. Depends on the policy's actions only.
 */
@NullMarked
package dev.portcullis.auth.routes;

import org.jspecify.annotations.NullMarked;
