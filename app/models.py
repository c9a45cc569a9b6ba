"""Imports every model module, for Alembic autogenerate and create_all in tests."""
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import LoginAttempt, LoginSession, User  # noqa: F401
from app.org.models import Position, ReportingLine  # noqa: F401
from app.staff.models import Employee, PositionTenure  # noqa: F401
from app.handbook.models import Duty, GlossaryTerm, PositionRevision, ReadConfirmation  # noqa: F401,E402
from app.checklists.models import (ChecklistEvent, ChecklistField, ChecklistItem, ChecklistMark,  # noqa: F401,E402
                                   ChecklistTargetChange, ChecklistValue)
from app.supplies.models import (Entitlement, IssueSlip, Requisition, RequisitionLine,  # noqa: F401,E402
                                 RequisitionStep, StockEntry, SupplyCategory, SupplyItem)
from app.trainings.models import Attendee, Training, TrainingCategory, TrainingFile  # noqa: F401,E402
from app.notices.models import Notice, WebhookDelivery, WebhookTarget  # noqa: F401,E402
from app.coverage.models import (Certificate, Onboarding, OnboardingDone, OnboardingStep, Requirement,  # noqa: F401,E402
                                 TrainingFulfils)
from app.equipment.models import Equipment, EquipmentEvent, Verification  # noqa: F401,E402
from app.inspections.models import (ActionEvent, CorrectiveAction, Inspection, InspectionAnswer,  # noqa: F401,E402
                                    InspectionPhoto, InspectionTemplate, TemplateVersion)
