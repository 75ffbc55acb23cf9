/**
 * File containment actions: {@code quarantine} moves a file into the agent's root-only vault with
 * all its metadata, {@code restore} puts it back byte-identical, {@code collect_file} uploads a
 * copy to the collector. Every path argument passes {@link io.vigil.agent.response.file.PathGuard}
 * first; quarantine also refuses {@link io.vigil.agent.response.file.ProtectedFiles} (the agent
 * itself and what the host needs to boot and log in). The actions run on the command dispatcher's
 * single thread; none of the classes here is meant to be shared between threads.
 */
package io.vigil.agent.response.file;
