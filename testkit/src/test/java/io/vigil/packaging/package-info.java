/**
 * Static checks of what {@code installers/} ships: the systemd units parsed and held to their rules
 * ({@link io.vigil.packaging.UnitFileTest}), the built Debian packages read with dpkg-deb and
 * lintian ({@link io.vigil.packaging.PackageLintTest}), the install script's argument handling
 * ({@link io.vigil.packaging.InstallScriptTest}), and the packaged configurations loaded by the
 * real loaders ({@link io.vigil.packaging.PackagedConfigTest}). Nothing here installs anything.
 */
package io.vigil.packaging;
