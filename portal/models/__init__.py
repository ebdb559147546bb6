"""Database models, one module per feature.

Import every model module here so that db.metadata is complete whenever the
package is imported (Alembic autogenerate and tests rely on it).
"""

from .plans import PlanSetting

__all__ = ["PlanSetting"]
