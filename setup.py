"""Install the top-level folders as one package ``eqc`` (DESIGN.md, "Layout").

``eqc.frontend`` lives in ``frontend/``, ``eqc.compiler`` in ``compiler/`` and so on.
Sub-packages are discovered, so adding a folder with an ``__init__.py`` needs no edit here.
"""

from setuptools import find_packages, setup

ROOTS = {
    "eqc": "eqc",
    "eqc.frontend": "frontend",
    "eqc.compiler": "compiler",
    "eqc.backends": "backends",
    "eqc.runtime": "runtime",
    "eqc.stdlib": "stdlib",
}

packages: list[str] = []
package_dir: dict[str, str] = {}
for package, folder in ROOTS.items():
    package_dir[package] = folder
    packages.append(package)
    packages.extend(f"{package}.{sub}" for sub in find_packages(folder))

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={"eqc.stdlib": ["*.pde"], "eqc.frontend": ["*.lark"]},
)
