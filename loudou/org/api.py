from ninja import Router
router = Router()
contacts_router = Router()
